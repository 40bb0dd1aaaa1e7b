; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
[
  (namespace_declaration name: (_) @name body: (declaration_list) @body)
  (class_declaration name: (identifier) @name body: (declaration_list) @body)
  (struct_declaration name: (identifier) @name body: (declaration_list) @body)
  (interface_declaration name: (identifier) @name body: (declaration_list) @body)
  (record_declaration name: (identifier) @name body: (declaration_list) @body)
  (enum_declaration name: (identifier) @name body: (enum_member_declaration_list) @body)
] @scope.class

[
  (method_declaration name: (identifier) @name body: (block) @body)
  (constructor_declaration name: (identifier) @name body: (block) @body)
  (destructor_declaration name: (identifier) @name body: (block) @body)
  (operator_declaration body: (block) @body)
  (local_function_statement name: (identifier) @name body: (block) @body)
  (property_declaration name: (identifier) @name accessors: (accessor_list) @body)
  (accessor_declaration name: _ @name body: (block) @body)
] @scope.function

; Lambdas with a block body bound to a name (`Func<int, int> f = x => {...};`) or passed as
; the last argument (`items.ForEach(x => {...})`).
(variable_declarator
  name: (identifier) @name
  (lambda_expression body: (block) @body)) @scope.function

(invocation_expression
  function: (_) @name
  arguments: (argument_list
    (argument (lambda_expression body: (block) @body)) .)) @scope.function

[
  (if_statement consequence: (block) @body)
  (for_statement body: (block) @body)
  (foreach_statement body: (block) @body)
  (while_statement body: (block) @body)
  (do_statement body: (block) @body)
  (using_statement body: (block) @body)
  (lock_statement (block) @body)
  (switch_statement body: (switch_body) @body)
  (try_statement body: (block) @body)
  (catch_clause body: (block) @body)
  (finally_clause (block) @body)
] @scope.block
