; Types (also nested ones) and their members; top-level functions and properties.
; Kinds: class, struct, enum, actor, extension (class_declaration in the grammar) and protocol
; -> @definition.class; typealias, associatedtype -> @definition.type; `func` in a type ->
; @definition.method, at the top level -> @definition.function; init, deinit, subscript ->
; @definition.method; `let`/`var` at the top level or in a type -> @definition.variable (a
; local's are not definitions). A protocol's requirements have no @body.
[
  (class_declaration name: (type_identifier) @name body: (_) @body)
  (class_declaration name: (user_type) @name body: (_) @body)
  (protocol_declaration name: (type_identifier) @name body: (protocol_body) @body)
] @definition.class

[
  (typealias_declaration name: (type_identifier) @name)
  (associatedtype_declaration name: (type_identifier) @name)
] @definition.type

; A function's `name` field holds its return type too: its name is the `name` right after
; `func`, its body the last child (cheap to compile: see scopes.scm).
(source_file
  (function_declaration "func" . name: _ @name _ @body .) @definition.function)

[
  (class_body (function_declaration "func" . name: _ @name _ @body .) @definition.method)
  (enum_class_body (function_declaration "func" . name: _ @name _ @body .) @definition.method)
  (protocol_body (protocol_function_declaration name: (simple_identifier) @name) @definition.method)
]

[
  (init_declaration name: _ @name body: (function_body)? @body)
  (deinit_declaration "deinit" @name body: (function_body) @body)
  (subscript_declaration "subscript" @name (computed_property) @body)
] @definition.method

[
  (source_file (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.variable)
  (class_body (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.variable)
  (enum_class_body (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.variable)
  (protocol_body (protocol_property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.variable)
]

; The types a function's parameters are declared with (`s: Shape`, `log: Logger?`, `c: Cache<K>`
; as `Cache`): a class it means by a method name several classes define (`s.area()`). A match of
; its own for each parameter, apart from the definition's.
(parameter
  [
    (user_type . (type_identifier) @parameter.type)
    (optional_type (user_type . (type_identifier) @parameter.type))
  ])
