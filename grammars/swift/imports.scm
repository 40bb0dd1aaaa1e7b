; `import Foundation`, `@testable import CacheKit`, `import Darwin.C`: a module, all of whose
; public names come into scope; the statement binds none of its own (like Go's imports).
((import_declaration (identifier) @import.source) @import
  (#not-match? @import "import\\s+(typealias|struct|class|enum|protocol|let|var|func)\\s"))

; `import struct CoreGraphics.CGPoint`: one declaration of a module, like Java's
; `import java.util.Map;` (source `CoreGraphics`, name `CGPoint`).
(import_declaration
  ["typealias" "struct" "class" "enum" "protocol" "let" "var" "func"]
  (identifier
    . (simple_identifier) @import.source
    (simple_identifier) @import.name .)) @import
