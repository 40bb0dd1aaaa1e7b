; Types (also nested ones) and their members.
; Kinds: class, interface, enum class, data class, object and companion object ->
; @definition.class; functions at the top level -> @definition.function, in a class or object
; -> @definition.method (a local `fun` inside a function is no definition, like a local `val`);
; secondary constructors -> @definition.method; `typealias` -> @definition.type; properties at
; the top level or in a class -> @definition.variable, `const val` -> @definition.constant.
[
  (class_declaration name: (identifier) @name [(class_body) (enum_class_body)]? @body)
  (object_declaration name: (identifier) @name (class_body)? @body)
  (companion_object name: (identifier) @name (class_body)? @body)
] @definition.class

; An unnamed companion object is named by its keyword: a long class's companion is reviewed as
; `Cache.companion`, its functions as `Cache.companion.create`.
(companion_object !name "companion" @name (class_body)? @body) @definition.class

; A block body is the @body; an expression body (`fun f() = expr`) is the `function_body` from
; its `=`. The header is the signature either way.
(source_file
  (function_declaration
    name: (identifier) @name
    [(function_body (block) @body) (function_body "=") @body]?) @definition.function)

[
  (class_body
    (function_declaration
      name: (identifier) @name
      [(function_body (block) @body) (function_body "=") @body]?) @definition.method)
  (enum_class_body
    (function_declaration
      name: (identifier) @name
      [(function_body (block) @body) (function_body "=") @body]?) @definition.method)
]

(class_body
  (secondary_constructor "constructor" @name (block)? @body) @definition.method)

(type_alias type: (identifier) @name) @definition.type

; `const` is the only property modifier (`private const val X`); a property without it is a
; variable. Destructuring declarations (`val (a, b) = pair`) bind no one name: not captured.
(
  [
    (source_file
      (property_declaration
        (modifiers (property_modifier) @_const)
        (variable_declaration (identifier) @name)) @definition.constant)
    (class_body
      (property_declaration
        (modifiers (property_modifier) @_const)
        (variable_declaration (identifier) @name)) @definition.constant)
  ]
  (#eq? @_const "const"))

(
  [
    (source_file
      (property_declaration
        (modifiers)? @_modifiers
        (variable_declaration (identifier) @name)) @definition.variable)
    (class_body
      (property_declaration
        (modifiers)? @_modifiers
        (variable_declaration (identifier) @name)) @definition.variable)
    (enum_class_body
      (property_declaration
        (modifiers)? @_modifiers
        (variable_declaration (identifier) @name)) @definition.variable)
  ]
  (#not-match? @_modifiers "(^|\\s)const(\\s|$)"))

; The types a function's parameters are declared with (`s: Shape`, `log: Logger?`, `c: Cache<K>`
; as `Cache`, `s: geo.Shape`): a class it means by a method name several classes define
; (`s.area()`). A match of its own for each parameter, apart from the definition's.
(function_value_parameters
  (parameter
    [
      (user_type (identifier) @parameter.type .)
      (user_type (identifier) @parameter.type . (type_arguments) .)
      (nullable_type (user_type (identifier) @parameter.type .))
      (nullable_type (user_type (identifier) @parameter.type . (type_arguments) .))
    ]))

; The types a class's properties are declared with (`class Report(private val log: Logger)`,
; `val cache: Cache<K>?` as `Cache`): a class whose methods its own methods mean by a name
; several classes define (`log.area()`). A pattern of its own.
[
  (class_parameter
    ["val" "var"]
    [
      (user_type (identifier) @field.type .)
      (user_type (identifier) @field.type . (type_arguments) .)
      (nullable_type (user_type (identifier) @field.type .))
      (nullable_type (user_type (identifier) @field.type . (type_arguments) .))
    ])
  (property_declaration
    (variable_declaration
      [
        (user_type (identifier) @field.type .)
        (user_type (identifier) @field.type . (type_arguments) .)
        (nullable_type (user_type (identifier) @field.type .))
        (nullable_type (user_type (identifier) @field.type . (type_arguments) .))
      ]))
]
