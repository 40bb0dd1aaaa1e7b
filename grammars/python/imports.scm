(import_statement
  name: (dotted_name) @import.source @import.name) @import

(import_statement
  name: (aliased_import
    name: (dotted_name) @import.source
    alias: (identifier) @import.name)) @import

(import_from_statement
  module_name: (_) @import.source
  name: (dotted_name) @import.name) @import

(import_from_statement
  module_name: (_) @import.source
  name: (aliased_import alias: (identifier) @import.name)) @import

(import_from_statement
  module_name: (_) @import.source
  (wildcard_import)) @import
