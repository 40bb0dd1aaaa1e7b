; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
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
] @scope.class

; Anonymous classes: `new Runnable() {...}`
(object_creation_expression
  type: (_) @name
  (class_body) @body) @scope.class

[
  (method_declaration
    name: (identifier) @name
    body: (block) @body)
  (constructor_declaration
    name: (identifier) @name
    body: (constructor_body) @body)
  (compact_constructor_declaration
    name: (identifier) @name
    body: (block) @body)
] @scope.function

; Lambdas with a block body bound to a name: `Function<A, B> f = a -> {...};`
(variable_declarator
  name: (identifier) @name
  value: (lambda_expression body: (block) @body)) @scope.function

; A lambda passed as the last argument: `executor.submit(() -> {...})`.
(method_invocation
  name: (identifier) @name
  arguments: (argument_list
    (lambda_expression body: (block) @body) .)) @scope.function

[
  (if_statement consequence: (block) @body)
  (for_statement body: (block) @body)
  (enhanced_for_statement body: (block) @body)
  (while_statement body: (block) @body)
  (do_statement body: (block) @body)
  (try_statement body: (block) @body)
  (try_with_resources_statement body: (block) @body)
  (catch_clause body: (block) @body)
  (finally_clause (block) @body)
  (switch_expression body: (switch_block) @body)
  (synchronized_statement body: (block) @body)
  (static_initializer (block) @body)
] @scope.block
