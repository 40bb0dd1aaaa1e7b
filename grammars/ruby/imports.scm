; `require "json"`, `require_relative "lib/store"`, `load "tasks.rb"`: a path, no name bound.
((call
  !receiver
  method: (identifier) @_method
  arguments: (argument_list . (string) @import.source)) @import
  (#any-of? @_method "require" "require_relative" "load"))
