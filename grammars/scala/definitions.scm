; Types (also nested ones) and their members.
; Kinds: class, case class, trait, object, enum, package object, a block `package a.b { ... }`
; (so that a review splits a long one into its types, like C#'s namespaces), a `given ...
; with { ... }` and an `extension` -> @definition.class; `def`s at the top level (Scala 3,
; scripts) -> @definition.function, in a class, trait, object, given or extension ->
; @definition.method (a local `def` inside a function is no definition, like a local `val`);
; `type` -> @definition.type; `val`/`var` at the top level or in a class ->
; @definition.variable, `final val` (a constant value definition) -> @definition.constant.
[
  (class_definition name: (identifier) @name body: (template_body)? @body)
  (trait_definition name: (identifier) @name body: (template_body)? @body)
  (object_definition name: (identifier) @name body: (template_body)? @body)
  (enum_definition name: (identifier) @name body: (enum_body) @body)
  (package_object name: (identifier) @name body: (template_body) @body)
  (package_clause name: (package_identifier) @name body: (template_body) @body)
  (given_definition name: (identifier) @name body: (with_template_body) @body)
] @definition.class

; An anonymous given is named by its type: `given Ordering[User] with { ... }` is the unit
; `Ordering[User]`.
(given_definition
  !name
  [(generic_type) (type_identifier)] @name
  body: (with_template_body) @body) @definition.class

; `extension (s: String) { def a ... }` (or its defs indented under it) is one unit named by its
; keyword: it has no body node (each def is a `body:` field of its own), so it is not split.
(extension_definition "extension" @name) @definition.class

; A body of any kind (a block, an indented block, an expression): the header ends before it.
(compilation_unit
  [
    (function_definition name: (identifier) @name body: (_) @body)
    (function_declaration name: (identifier) @name)
  ] @definition.function)

[
  (template_body
    [
      (function_definition name: (identifier) @name body: (_) @body)
      (function_declaration name: (identifier) @name)
    ] @definition.method)
  (with_template_body
    [
      (function_definition name: (identifier) @name body: (_) @body)
      (function_declaration name: (identifier) @name)
    ] @definition.method)
  ; An extension's defs (not by its `body:` field, see grammars/README.md).
  (extension_definition
    [
      (function_definition name: (identifier) @name body: (_) @body)
      (function_declaration name: (identifier) @name)
    ] @definition.method)
]

[
  (compilation_unit (type_definition name: (type_identifier) @name) @definition.type)
  (template_body (type_definition name: (type_identifier) @name) @definition.type)
]

(
  [
    (compilation_unit
      (val_definition (modifiers "final") @_final pattern: (identifier) @name) @definition.constant)
    (template_body
      (val_definition (modifiers "final") @_final pattern: (identifier) @name) @definition.constant)
  ])

(
  [
    (compilation_unit
      [
        (val_definition (modifiers)? @_modifiers pattern: (identifier) @name)
        (var_definition pattern: (identifier) @name)
        (val_declaration name: (identifier) @name)
        (var_declaration name: (identifier) @name)
      ] @definition.variable)
    (template_body
      [
        (val_definition (modifiers)? @_modifiers pattern: (identifier) @name)
        (var_definition pattern: (identifier) @name)
        (val_declaration name: (identifier) @name)
        (var_declaration name: (identifier) @name)
      ] @definition.variable)
  ]
  (#not-match? @_modifiers "(^|\\s)final(\\s|$)"))

; The types a function's parameters are declared with (`s: Shape`, `c: Cache[K]` as `Cache`,
; `s: geo.Shape`): a class it means by a method name several classes define (`s.area()`). A match
; of its own for each parameter, apart from the definition's.
(parameters
  (parameter
    type: [
      (type_identifier) @parameter.type
      (generic_type type: (type_identifier) @parameter.type)
      (stable_type_identifier (type_identifier) @parameter.type .)
    ]))
