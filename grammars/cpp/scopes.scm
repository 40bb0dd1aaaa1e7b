; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
[
  (class_specifier
    name: [
      (type_identifier) @name
      (qualified_identifier name: (type_identifier) @name)
      (template_type name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (struct_specifier
    name: [
      (type_identifier) @name
      (qualified_identifier name: (type_identifier) @name)
      (template_type name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (union_specifier
    name: [
      (type_identifier) @name
      (qualified_identifier name: (type_identifier) @name)
      (template_type name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (enum_specifier
    name: [
      (type_identifier) @name
      (qualified_identifier name: (type_identifier) @name)
      (template_type name: (type_identifier) @name)
    ]
    body: (enumerator_list) @body)
] @scope.class

; Anonymous `struct {...} x;`
[
  (class_specifier !name body: (field_declaration_list) @body)
  (struct_specifier !name body: (field_declaration_list) @body)
  (union_specifier !name body: (field_declaration_list) @body)
  (enum_specifier !name body: (enumerator_list) @body)
] @scope.class

; The name sits under the declarators: `int f()`, `T *f()`, `T &f()`, `A::f()`, `A::~A()`, `operator==`.
(function_definition
  declarator: [
    (function_declarator
      declarator: [
        (identifier) @name
        (field_identifier) @name
        (destructor_name) @name
        (operator_name) @name
        (qualified_identifier
          name: [(identifier) (destructor_name) (operator_name)] @name)
        (qualified_identifier
          name: (qualified_identifier
            name: [(identifier) (destructor_name) (operator_name)] @name))
        (template_function
          name: (identifier) @name)
      ])
    (_
      (function_declarator
        declarator: [
          (identifier) @name
          (field_identifier) @name
          (destructor_name) @name
          (operator_name) @name
          (qualified_identifier
            name: [(identifier) (destructor_name) (operator_name)] @name)
          (qualified_identifier
            name: (qualified_identifier
              name: [(identifier) (destructor_name) (operator_name)] @name))
          (template_function
            name: (identifier) @name)
        ]))
  ]
  body: (compound_statement) @body) @scope.function

; Lambdas with a block body bound to a name: `auto f = [&](int x) {...};`
(init_declarator
  declarator: (identifier) @name
  value: (lambda_expression body: (compound_statement) @body)) @scope.function

; A lambda passed as the last argument: `std::for_each(b, e, [](int x) {...})`.
(call_expression
  function: (_) @name
  arguments: (argument_list
    (lambda_expression body: (compound_statement) @body) .)) @scope.function

[
  (if_statement consequence: (compound_statement) @body)
  (else_clause (compound_statement) @body)
  (for_statement body: (compound_statement) @body)
  (for_range_loop body: (compound_statement) @body)
  (while_statement body: (compound_statement) @body)
  (do_statement body: (compound_statement) @body)
  (switch_statement body: (compound_statement) @body)
  (try_statement body: (compound_statement) @body)
  (catch_clause body: (compound_statement) @body)
] @scope.block
