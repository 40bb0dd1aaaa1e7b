; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
[
  (class_declaration name: (name) @name body: (declaration_list) @body)
  (interface_declaration name: (name) @name body: (declaration_list) @body)
  (trait_declaration name: (name) @name body: (declaration_list) @body)
  (enum_declaration name: (name) @name body: (enum_declaration_list) @body)
] @scope.class

; `new class(...) extends Base {...}` (a Laravel migration's `return new class extends Migration`):
; the scope is the `new` expression, whose node the cursor's chain of nodes holds (captured on
; the anonymous_class inside it, no node matched it).
(object_creation_expression
  (anonymous_class body: (declaration_list) @body)) @scope.class

[
  (function_definition name: (name) @name body: (compound_statement) @body)
  (method_declaration name: (name) @name body: (compound_statement) @body)
] @scope.function

; Closures bound to a name (`$f = function () {...};`) or passed as the last argument.
(assignment_expression
  left: (_) @name
  right: (anonymous_function body: (compound_statement) @body)) @scope.function

[
  (function_call_expression
    function: (_) @name
    arguments: (arguments (argument (anonymous_function body: (compound_statement) @body)) .))
  (member_call_expression
    name: (_) @name
    arguments: (arguments (argument (anonymous_function body: (compound_statement) @body)) .))
  (scoped_call_expression
    name: (_) @name
    arguments: (arguments (argument (anonymous_function body: (compound_statement) @body)) .))
] @scope.function

[
  (if_statement body: (compound_statement) @body)
  (else_if_clause body: (compound_statement) @body)
  (else_clause body: (compound_statement) @body)
  (for_statement body: (compound_statement) @body)
  (foreach_statement body: (compound_statement) @body)
  (while_statement body: (compound_statement) @body)
  (do_statement body: (compound_statement) @body)
  (switch_statement body: (switch_block) @body)
  (try_statement body: (compound_statement) @body)
  (catch_clause body: (compound_statement) @body)
  (finally_clause body: (compound_statement) @body)
] @scope.block
