; Types (also nested ones) and their members.
; Kinds: class, struct, interface, record, enum, and a block `namespace X { ... }` (so that a
; review splits a long namespace into its types, like a long class into its members) ->
; @definition.class; delegates -> @definition.type; methods, constructors, destructors ->
; @definition.method; fields, properties, events -> @definition.variable; `const` fields ->
; @definition.constant.
[
  (namespace_declaration name: (_) @name body: (declaration_list) @body)
  (class_declaration name: (identifier) @name body: (declaration_list) @body)
  (struct_declaration name: (identifier) @name body: (declaration_list) @body)
  (interface_declaration name: (identifier) @name body: (declaration_list) @body)
  (record_declaration name: (identifier) @name body: (declaration_list)? @body)
  (enum_declaration name: (identifier) @name body: (enum_member_declaration_list) @body)
] @definition.class

(delegate_declaration name: (identifier) @name) @definition.type

[
  (method_declaration name: (identifier) @name body: (_)? @body)
  (constructor_declaration name: (identifier) @name body: (_)? @body)
  (destructor_declaration name: (identifier) @name body: (_)? @body)
] @definition.method

((field_declaration
  (modifier) @_const
  (variable_declaration
    (variable_declarator name: (identifier) @name))) @definition.constant
  (#eq? @_const "const"))

((field_declaration
  (variable_declaration
    (variable_declarator name: (identifier) @name))) @definition.variable
  (#not-match? @definition.variable "(^|\\s)const\\s"))

(property_declaration name: (identifier) @name) @definition.variable

(event_field_declaration
  (variable_declaration
    (variable_declarator name: (identifier) @name))) @definition.variable

; The types a method's or a constructor's parameters are declared with (`Shape s`, `Logger? l`,
; `List<Shape> l` as `List`, `Shapes.Shape s`): a class it means by a method name several classes
; define (`s.Area()`). A match of its own for each parameter, apart from the definition's.
(parameter_list
  (parameter
    type: [
      (identifier) @parameter.type
      (nullable_type type: (identifier) @parameter.type)
      (generic_name . (identifier) @parameter.type)
      (qualified_name name: (identifier) @parameter.type)
    ]))

; The types a class's fields and properties are declared with (`private readonly Logger _log`,
; `public Shape Main { get; }`, `Logger? log`): a class whose methods its own methods mean by a
; name several classes define (`_log.Area()`). A pattern of its own.
[
  (field_declaration
    (variable_declaration
      type: [
        (identifier) @field.type
        (nullable_type type: (identifier) @field.type)
        (generic_name . (identifier) @field.type)
        (qualified_name name: (identifier) @field.type)
      ]))
  (property_declaration
    type: [
      (identifier) @field.type
      (nullable_type type: (identifier) @field.type)
      (generic_name . (identifier) @field.type)
      (qualified_name name: (identifier) @field.type)
    ])
]
