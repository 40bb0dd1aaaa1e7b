; Names in use, not the special forms and definition macros that are calls in the grammar
; (`def`, `if`, `case`, `alias`, ... are identifiers there).
((identifier) @reference
  (#not-match? @reference "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable|alias|import|require|use|if|unless|case|cond|with|for|try|receive|quote|unquote|unquote_splicing|raise|reraise|throw|super|__MODULE__|_)$"))
(alias) @reference
(dot
  right: (identifier) @reference.member)
