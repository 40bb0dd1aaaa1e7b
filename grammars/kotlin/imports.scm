; The grammar has no node for an import's package (`java.util` of `import java.util.Map`): the
; whole dotted name is one `qualified_identifier`. It is the @import.source, as C#'s alias
; target is: `import java.util.Map` has source `java.util.Map` and binds `Map`;
; `import a.B as C` binds `C`; `import a.b.*` binds no name. The source is followed to the
; file of its source root named after the class, or the file of its package that declares it
; (imports.py, the JVM resolver).
((import
  (qualified_identifier (identifier) @import.name .) @import.source .) @import
  (#not-match? @import "\\*\\s*;?\\s*$"))

(import
  (qualified_identifier) @import.source
  "as"
  (identifier) @import.name) @import

(import
  (qualified_identifier) @import.source
  "*") @import
