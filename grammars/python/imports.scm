(import_statement
  name: (dotted_name) @import.source @import.name) @import

(import_statement
  name: (aliased_import
    name: (dotted_name) @import.source
    alias: (identifier) @import.name)) @import

; A package's __init__.py passes on the names it imports (@import.reexport), and any module
; those of `from m import *`: a file that imports from it is followed on to the modules that
; define them.
(import_from_statement
  module_name: (_) @import.source
  name: (dotted_name) @import.name) @import @import.reexport

(import_from_statement
  module_name: (_) @import.source
  name: (aliased_import alias: (identifier) @import.name)) @import @import.reexport

(import_from_statement
  module_name: (_) @import.source
  (wildcard_import)) @import @import.reexport
