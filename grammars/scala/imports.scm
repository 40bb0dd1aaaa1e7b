; The grammar has no node for an import's dotted path: each of its names is a `path:` field of
; the import (matched here without the field name, see grammars/README.md). The @import.source
; is the path's last name before what the import binds, the package or object the names come
; from: `import scala.util.control.NonFatal` has source `control` and binds `NonFatal`;
; `import scala.concurrent.{ExecutionContext, Future => F}` has source `concurrent` and binds
; `ExecutionContext` and `F` (not `Future`); `import a.b._` (`a.b.*`) binds no name. Scala
; imports are not followed (one names a member of a package, which any file of the source roots
; may hold), so the source only labels the import. `import a.B, c.D` is one list of path names
; to the grammar: only `c.D` is read.
(import_declaration
  (identifier) @import.source .
  (identifier) @import.name .) @import

; `import a.b.{C, D => E, F => _}` (Scala 3: `{C, D as E}`); a name hidden by `=> _` binds
; nothing.
(import_declaration
  (identifier) @import.source .
  (namespace_selectors
    [
      (identifier) @import.name
      (arrow_renamed_identifier alias: (identifier) @import.name)
      (as_renamed_identifier alias: (identifier) @import.name)
    ])) @import

; Scala 3: `import a.b.C as D`
(import_declaration
  (identifier) @import.source .
  (as_renamed_identifier alias: (identifier) @import.name)) @import

(import_declaration
  (identifier) @import.source .
  (namespace_wildcard)) @import

; `import scala.util.{Try => _, _}`: everything but `Try`, no name of its own.
(import_declaration
  (identifier) @import.source .
  (namespace_selectors (namespace_wildcard))) @import

; `import mutable` (a name in scope, one segment): binds itself.
(import_declaration . (identifier) @import.source @import.name .) @import
