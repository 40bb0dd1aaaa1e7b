; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; Everything is a call: `defmodule A do ... end` is the call `defmodule` with an argument and a
; do_block. The do_block is the @body (the header is what comes before ` do`); an empty one
; (`def f(x) do⏎end`) holds no statement, so the cursor on its blank line asks for a block.
((call
  target: (identifier) @_kind
  (arguments . (alias) @name)
  (do_block) @body) @scope.class
  (#any-of? @_kind "defmodule" "defprotocol" "defimpl"))

; `def f(x) do`, `defp f(x) when x > 0 do`, `defmacro m(ast) do`, `def zero? do`.
((call
  target: (identifier) @_kind
  (arguments
    [
      (call target: (identifier) @name)
      (identifier) @name
      (binary_operator left: (call target: (identifier) @name) operator: "when")
    ])
  (do_block) @body) @scope.function
  (#any-of? @_kind "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defn" "defnp"))

; Any other call with a do block: ExUnit's `test "x" do` / `describe`, Phoenix's `scope "/" do`,
; Ecto's `schema "users" do`, a macro of the project's own.
((call
  target: (identifier) @name
  (do_block) @body) @scope.function
  (#not-match? @name "^(defmodule|defprotocol|defimpl|def|defp|defmacro|defmacrop|defguard|defguardp|defn|defnp|if|unless|case|cond|with|for|try|receive|quote)$"))

; An anonymous function passed as the last argument (`Enum.map(xs, fn x -> ... end)`, also in a
; pipe) or bound to a name (`f = fn x -> ... end`): a clause's body is the @body (empty in a new
; `fn x ->⏎end`).
(call
  target: (_) @name
  (arguments
    (anonymous_function (stab_clause right: (body) @body)) .)) @scope.function

(binary_operator
  left: (identifier) @name
  operator: "="
  right: (anonymous_function (stab_clause right: (body) @body))) @scope.function

((call
  target: (identifier) @_kind
  (do_block) @body) @scope.block
  (#any-of? @_kind "if" "unless" "case" "cond" "with" "for" "try" "receive" "quote"))

; A clause of `case`, `cond`, `receive`, a `rescue`/`catch`, `with`'s `else`: `{:ok, v} ->`.
[
  (do_block (stab_clause right: (body) @body) @scope.block)
  (else_block (stab_clause right: (body) @body) @scope.block)
  (rescue_block (stab_clause right: (body) @body) @scope.block)
  (catch_block (stab_clause right: (body) @body) @scope.block)
  (after_block (stab_clause right: (body) @body) @scope.block)
]
