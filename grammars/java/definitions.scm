; Types (also nested ones) and their members.
; Kinds: class, interface, enum, record, @interface -> @definition.class; methods and constructors
; -> @definition.method; fields -> @definition.variable; interface constants -> @definition.constant.
[
  (class_declaration
    name: (identifier) @name
    body: (class_body) @body)
  (interface_declaration
    name: (identifier) @name
    body: (interface_body) @body)
  (enum_declaration
    name: (identifier) @name
    body: (enum_body) @body)
  (record_declaration
    name: (identifier) @name
    body: (class_body) @body)
  (annotation_type_declaration
    name: (identifier) @name
    body: (annotation_type_body) @body)
] @definition.class

[
  (method_declaration
    name: (identifier) @name
    body: (block)? @body)
  (constructor_declaration
    name: (identifier) @name
    body: (constructor_body) @body)
  (compact_constructor_declaration
    name: (identifier) @name
    body: (block) @body)
] @definition.method

(field_declaration
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.variable

(constant_declaration
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.constant

; The types a method's or a constructor's parameters are declared with (`Shape s`, `List<Shape>
; l` as `List`, `Logger... ls`, `shapes.Shape s`): a class it means by a method name several
; classes define (`s.area()`). A match of its own for each parameter, apart from the definition's.
(formal_parameters
  [
    (formal_parameter
      type: [
        (type_identifier) @parameter.type
        (generic_type . (type_identifier) @parameter.type)
        (scoped_type_identifier (type_identifier) @parameter.type .)
      ])
    (spread_parameter
      [
        (type_identifier) @parameter.type
        (generic_type . (type_identifier) @parameter.type)
      ])
  ])

; The types a class's fields are declared with (`private final Logger log`, `Cache<K> cache` as
; `Cache`): a class whose methods its own methods mean by a name several classes define
; (`log.area()`). A pattern of its own.
(field_declaration
  type: [
    (type_identifier) @field.type
    (generic_type . (type_identifier) @field.type)
    (scoped_type_identifier (type_identifier) @field.type .)
  ])
