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
