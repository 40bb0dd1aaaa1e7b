; @import is the whole declaration, `import "fmt"` or a group `import ( ... )`, as the file spells
; it (a spec alone, `"fmt"`, is no Go); one match per spec, each with its source. An import
; without an alias binds the package's own name, which is not in the source: only its path is
; captured.
(import_declaration
  [
    (import_spec
      name: (package_identifier) @import.name
      path: (_) @import.source)
    (import_spec_list
      (import_spec
        name: (package_identifier) @import.name
        path: (_) @import.source))
  ]) @import

(import_declaration
  [
    (import_spec
      !name
      path: (_) @import.source)
    (import_spec_list
      (import_spec
        !name
        path: (_) @import.source))
  ]) @import

; `import _ "p"` / `import . "p"` bind no name.
(import_declaration
  [
    (import_spec
      name: [(blank_identifier) (dot)]
      path: (_) @import.source)
    (import_spec_list
      (import_spec
        name: [(blank_identifier) (dot)]
        path: (_) @import.source))
  ]) @import
