<!DOCTYPE html>
<?php
declare(strict_types=1);

namespace App\Cache;

use App\Store\Backend;
use Psr\Log\{LoggerInterface, NullLogger as SilentLogger};
use Countable;

require_once __DIR__ . '/helpers.php';

const MAX_ENTRIES = 100;

interface Getter
{
    public function get(string $key): ?string;
}

final class LruCache implements Getter, Countable
{
    public const VERSION = '1.2.0';

    private array $entries = [];

    public function __construct(private Backend $backend, private LoggerInterface $log = new SilentLogger())
    {
    }

    public function get(string $key): ?string
    {
        if (isset($this->entries[$key])) {
            $value = $this->entries[$key];
            unset($this->entries[$key]);
        } else {
            $value = $this->backend->load($key);
        }
        $this->entries[$key] = $value;
        while (count($this->entries) > MAX_ENTRIES) {
            array_shift($this->entries);
        }
        return $value;
    }

    public function count(): int
    {
        return count($this->entries);
    }
}

function dump(LruCache $cache, string $path): void
{
    try {
        file_put_contents($path, json_encode($cache));
    } catch (\JsonException $e) {
        error_log($e->getMessage());
    }
    array_map(function ($key) use ($cache) {
        return $cache->get($key);
    }, ['a', 'b']);
}
?>
<p>Cache: <?= htmlspecialchars(LruCache::VERSION) ?></p>
