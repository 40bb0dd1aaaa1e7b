; One @import per spec, also in a group `import ( ... )`. An import without an alias binds the
; package's own name, which is not in the source: only its path is captured.
(import_spec
  name: (package_identifier) @import.name
  path: (_) @import.source) @import

(import_spec
  !name
  path: (_) @import.source) @import

; `import _ "p"` / `import . "p"` bind no name.
(import_spec
  name: [(blank_identifier) (dot)]
  path: (_) @import.source) @import
