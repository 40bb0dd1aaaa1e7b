; `require "json"`, `load "tasks.rb"`: a name looked up on the load path (language.toml
; [imports]), no name bound.
((call
  !receiver
  method: (identifier) @_method
  arguments: (argument_list . (string) @import.source)) @import
  (#any-of? @_method "require" "load"))

; `require_relative "lib/store"`: a path from the file's folder.
((call
  !receiver
  method: (identifier) @_method
  arguments: (argument_list . (string) @import.source.relative)) @import
  (#eq? @_method "require_relative"))
