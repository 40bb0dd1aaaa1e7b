; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
(class_definition
  name: (identifier) @name
  body: (block) @body) @scope.class

(function_definition
  name: (identifier) @name
  body: (block) @body) @scope.function

[
  (if_statement consequence: (block) @body)
  (elif_clause consequence: (block) @body)
  (else_clause body: (block) @body)
  (for_statement body: (block) @body)
  (while_statement body: (block) @body)
  (with_statement body: (block) @body)
  (try_statement body: (block) @body)
  (except_clause (block) @body)
  (finally_clause (block) @body)
  (match_statement body: (block) @body)
  (case_clause consequence: (block) @body)
] @scope.block
