; Like Java's imports: `use App\Store\Backend;` has @import.source `App\Store\Backend` (the
; class, whose file composer.json's PSR-4 autoload names) and @import.name `Backend`;
; `use A\B as C;` binds `C`; `use A\{B, C as D};` has source `A` and names `B`, `D`.
(namespace_use_declaration
  (namespace_use_clause
    (qualified_name
      (name) @import.name .) @import.source
    !alias)) @import

(namespace_use_declaration
  (namespace_use_clause
    (qualified_name) @import.source
    alias: (name) @import.name)) @import

; `use Foo;` (a global name): the name is both.
(namespace_use_declaration
  (namespace_use_clause
    .
    (name) @import.source @import.name
    !alias)) @import

(namespace_use_declaration
  (namespace_name) @import.source
  body: (namespace_use_group
    (namespace_use_clause
      .
      (name) @import.name
      !alias))) @import

(namespace_use_declaration
  (namespace_name) @import.source
  body: (namespace_use_group
    (namespace_use_clause
      alias: (name) @import.name))) @import

; `require_once 'lib/db.php';`, `include("header.php");`: a path from the file's folder (an
; absolute one, `/` or `C:`, is left to the last pattern: it is taken as spelled).
((expression_statement
  [
    (require_expression [(string) (encapsed_string)] @import.source.relative)
    (require_once_expression [(string) (encapsed_string)] @import.source.relative)
    (include_expression [(string) (encapsed_string)] @import.source.relative)
    (include_once_expression [(string) (encapsed_string)] @import.source.relative)
    (require_expression (parenthesized_expression [(string) (encapsed_string)] @import.source.relative))
    (require_once_expression (parenthesized_expression [(string) (encapsed_string)] @import.source.relative))
    (include_expression (parenthesized_expression [(string) (encapsed_string)] @import.source.relative))
    (include_once_expression (parenthesized_expression [(string) (encapsed_string)] @import.source.relative))
  ]) @import
  (#not-match? @import.source.relative "^.([/\\\\]|[A-Za-z]:)"))

; `require_once __DIR__ . '/lib/db.php';`, `require_once dirname(__FILE__) . '/lib/db.php';` (the
; same before PHP 5.3): the string after `__DIR__ .` is the path. One pattern for both: each
; `binary_expression` costs tree-sitter's check of the query ~8 ms (it walks every state an
; expression can start in), and two patterns had sixteen; a predicate on a capture the match
; lacks holds.
((expression_statement
  [
    (require_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative))
    (require_once_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative))
    (include_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative))
    (include_once_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative))
    (require_expression (parenthesized_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative)))
    (require_once_expression (parenthesized_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative)))
    (include_expression (parenthesized_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative)))
    (include_once_expression (parenthesized_expression (binary_expression left: [(name) @_dir (function_call_expression function: (name) @_dirname arguments: (arguments . (argument (name) @_file) .))] right: [(string) (encapsed_string)] @import.source.relative)))
  ]) @import
  (#eq? @_dir "__DIR__")
  (#eq? @_dirname "dirname")
  (#eq? @_file "__FILE__"))

; Any other path expression (`require $path;`, `include 'C:\x.php'`): the statement is in the
; prompt's head; its expression is no path a file is looked up by.
((expression_statement
  [
    (require_expression (_) @import.source)
    (require_once_expression (_) @import.source)
    (include_expression (_) @import.source)
    (include_once_expression (_) @import.source)
  ]) @import
  (#not-match? @import.source "^\\(?\\s*(['\"](?![/\\\\]|[A-Za-z]:)|(__DIR__|dirname\\s*\\(\\s*__FILE__\\s*\\))\\s*\\.\\s*['\"])"))
