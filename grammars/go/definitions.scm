; Top-level definitions. A declaration of one spec (`type T struct {...}`, `const X = 1`) is the
; whole declaration; in a group (`type ( ... )`, `const ( ... )`, `var ( ... )`) each spec is one.
; Kinds: struct and interface types -> @definition.class; other named types and aliases ->
; @definition.type; functions (also `var f = func...`) -> @definition.function; methods ->
; @definition.method; const -> @definition.constant; var -> @definition.variable.
(source_file
  (function_declaration
    name: (identifier) @name
    body: (block)? @body) @definition.function)

; A method's class is its receiver's type (`Shape`, `*Logger`, `Cache[K, V]`), written before its
; name and outside any body: `@owner`.
(source_file
  (method_declaration
    receiver: (parameter_list
      (parameter_declaration
        type: [
          (type_identifier) @owner
          (pointer_type (type_identifier) @owner)
          (generic_type type: (type_identifier) @owner)
          (pointer_type (generic_type type: (type_identifier) @owner))
        ])?)
    name: (field_identifier) @name
    body: (block)? @body) @definition.method)

; The types a function's or a method's parameters are declared with (`s Shape`, `l *Logger`,
; `rows ...Row`): a class it means by a method name several types define (`s.Area()`). A match of
; its own for each parameter, apart from the definition's (quantified over the parameters, the
; definition's pattern matched once for each of them).
(source_file
  (_
    parameters: (parameter_list
      (_
        type: [
          (type_identifier) @parameter.type
          (pointer_type (type_identifier) @parameter.type)
          (generic_type type: (type_identifier) @parameter.type)
          (pointer_type (generic_type type: (type_identifier) @parameter.type))
        ]))))

; Struct and interface types. An interface has no body node: its body is what follows its `{`
; (the `}` of an empty one), so that its signature says `type T interface {`.
((type_declaration
  (type_spec
    name: (type_identifier) @name
    type: [
      (struct_type (field_declaration_list) @body)
      (interface_type "{" . (_) @body)
      (interface_type "{" . "}" @body)
    ])) @definition.class
  (#match? @definition.class "^type\\s+[^\\s(]"))

(type_declaration
  "("
  (type_spec
    name: (type_identifier) @name
    type: [
      (struct_type (field_declaration_list) @body)
      (interface_type "{" . (_) @body)
      (interface_type "{" . "}" @body)
    ]) @definition.class)

; Other named types and aliases: `type Key string`, `type Handler func(...)`, `type A = B`.
((type_declaration
  [
    (type_spec
      name: (type_identifier) @name
      type: [
        (type_identifier)
        (qualified_type)
        (generic_type)
        (pointer_type)
        (slice_type)
        (array_type)
        (map_type)
        (channel_type)
        (function_type)
        (parenthesized_type)
        (negated_type)
      ])
    (type_alias
      name: (type_identifier) @name)
  ]) @definition.type
  (#match? @definition.type "^type\\s+[^\\s(]"))

(type_declaration
  "("
  [
    (type_spec
      name: (type_identifier) @name
      type: [
        (type_identifier)
        (qualified_type)
        (generic_type)
        (pointer_type)
        (slice_type)
        (array_type)
        (map_type)
        (channel_type)
        (function_type)
        (parenthesized_type)
        (negated_type)
      ])
    (type_alias
      name: (type_identifier) @name)
  ] @definition.type)

((const_declaration
  (const_spec
    name: (identifier) @name)) @definition.constant
  (#match? @definition.constant "^const\\s+[^\\s(]"))

(const_declaration
  "("
  (const_spec
    name: (identifier) @name) @definition.constant)

; `var f = func(...) {...}`
(source_file
  (var_declaration
    (var_spec
      name: (identifier) @name
      value: (expression_list
        .
        (func_literal body: (block) @body)))) @definition.function)

(source_file
  (var_declaration
    (var_spec_list
      (var_spec
        name: (identifier) @name
        value: (expression_list
          .
          (func_literal body: (block) @body))) @definition.function)))

; Other variables (the value is not a function literal: those have parameters).
(source_file
  (var_declaration
    (var_spec
      name: (identifier) @name
      value: (expression_list . (_ !parameters)))) @definition.variable)

(source_file
  (var_declaration
    (var_spec
      name: (identifier) @name
      !value)) @definition.variable)

(source_file
  (var_declaration
    (var_spec_list
      [
        (var_spec
          name: (identifier) @name
          value: (expression_list . (_ !parameters)))
        (var_spec
          name: (identifier) @name
          !value)
      ] @definition.variable)))
