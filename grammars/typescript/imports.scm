; inherits: javascript
; JavaScript's imports (ES modules, require, CommonJS re-exports) hold for TypeScript too; these
; are TypeScript's own. `import type { a } from "m"` is matched by JavaScript's named imports.

; import x = require("m")
(import_statement
  (import_require_clause
    (identifier) @import.name
    source: (string) @import.source)) @import
