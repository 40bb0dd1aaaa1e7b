; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; Ruby blocks end with `end`, and an empty one has no body node at all: there the `end` keyword
; is the @body (the header is everything before it, and the body is empty), so the cursor on the
; blank line of a new `def ... end` asks for a multi-line completion.
[
  (class name: (_) @name body: (body_statement) @body)
  (module name: (_) @name body: (body_statement) @body)
  (singleton_class value: (_) @name body: (body_statement) @body)
] @scope.class

[
  (class name: (_) @name !body "end" @body)
  (module name: (_) @name !body "end" @body)
  (singleton_class value: (_) @name !body "end" @body)
] @scope.class

; `def f ... end`, `def self.f ... end`, and endless `def f = expr`.
[
  (method name: (_) @name body: (_) @body)
  (singleton_method name: (_) @name body: (_) @body)
] @scope.function

[
  (method name: (_) @name !body "end" @body)
  (singleton_method name: (_) @name !body "end" @body)
] @scope.function

; A block passed to a call: `describe "x" do ... end`, `items.each { |i| ... }`.
(call
  method: (_) @name
  block: [
    (do_block body: (_) @body)
    (block body: (_) @body)
  ]) @scope.function

(call
  method: (_) @name
  block: [
    (do_block !body "end" @body)
    (block !body "}" @body)
  ]) @scope.function

; `lambda do |x| ... end` / `-> (x) { ... }`
(lambda body: [(do_block body: (_) @body) (block body: (_) @body)]) @scope.function

[
  (if consequence: (then) @body)
  (unless consequence: (then) @body)
  (elsif consequence: (then) @body)
  (while body: (do) @body)
  (until body: (do) @body)
  (for body: (do) @body)
  (when body: (then) @body)
  (in_clause body: (then) @body)
] @scope.block

; Empty ones.
[
  (if !consequence "end" @body)
  (unless !consequence "end" @body)
] @scope.block

; An arm or a clause with no statement yet (`when :paid`, `in {status:}`, `rescue => e`,
; `ensure`): no body node, and no keyword after the header to stand for it: the keyword that
; opens it is the @body (the header is empty: the arm's line is in the window). The cursor on
; the blank line under it is outside the node; the completion feature finds the scope from
; the end of the header.
[
  (when "when" @body !body)
  (in_clause "in" @body !body)
  (rescue "rescue" @body !body)
  (ensure "ensure" @body .)
] @scope.block
