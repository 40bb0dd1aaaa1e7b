; `alias Caching.Store.Backend`, `import Logger, only: [debug: 1]`, `require Logger`,
; `use GenServer`: the module. Only `alias ..., as: Name` is captured as binding a name: the
; last part that a plain alias binds (`Backend`) is no node of its own.
((call
  target: (identifier) @_kind
  (arguments . [(alias) (atom) (dot right: (alias))] @import.source)) @import
  (#any-of? @_kind "alias" "import" "require" "use")
  (#not-match? @import ",\\s*as:"))

((call
  target: (identifier) @_kind
  (arguments
    . [(alias) (atom) (dot right: (alias))] @import.source
    (keywords
      (pair
        key: (keyword) @_as
        value: (alias) @import.name)))) @import
  (#eq? @_kind "alias")
  (#match? @_as "^as:"))

; `alias Caching.{Stats, Telemetry}`: like Java's imports, source `Caching`, names `Stats` and
; `Telemetry`.
((call
  target: (identifier) @_kind
  (arguments
    . (dot
      left: (_) @import.source
      right: (tuple (alias) @import.name)))) @import
  (#eq? @_kind "alias"))
