; Modules and their functions; module attributes. Everything is a call, told by its target.
; Kinds: defmodule, defprotocol, defimpl -> @definition.class; def, defp, defmacro, defmacrop,
; defguard, defguardp, defdelegate -> @definition.function (a one-line `def f(x), do: x`, a
; protocol's `def size(data)` and a defdelegate have no @body); `@type t :: ...` (also @typep,
; @opaque) -> @definition.type; a module attribute `@max_entries 100` -> @definition.constant
; (not the ones Elixir reads itself: @doc, @spec, @impl, @behaviour, ...).
((call
  target: (identifier) @_kind
  (arguments . (alias) @name)
  (do_block) @body) @definition.class
  (#any-of? @_kind "defmodule" "defprotocol" "defimpl"))

((call
  target: (identifier) @_kind
  (arguments
    [
      (call target: (identifier) @name)
      (identifier) @name
      (binary_operator left: (call target: (identifier) @name) operator: "when")
    ])
  (do_block)? @body) @definition.function
  (#any-of? @_kind "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate" "defn" "defnp"))

((unary_operator
  operator: "@"
  operand: (call
    target: (identifier) @_kind
    (arguments
      (binary_operator
        left: [(identifier) @name (call target: (identifier) @name)]
        operator: "::")))) @definition.type
  (#any-of? @_kind "type" "typep" "opaque"))

((unary_operator
  operator: "@"
  operand: (call target: (identifier) @name (arguments))) @definition.constant
  (#not-match? @name "^(moduledoc|doc|typedoc|impl|spec|type|typep|opaque|callback|macrocallback|optional_callbacks|behaviour|derive|enforce_keys|compile|deprecated|dialyzer|external_resource|file|on_load|on_definition|before_compile|after_compile|after_verify|vsn|since|nifs|fallback_to_any|protocol)$"))
