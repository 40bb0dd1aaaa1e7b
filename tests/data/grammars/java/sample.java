package com.example.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.function.*;
import static java.util.Objects.requireNonNull;

import com.example.store.Backend;

public class LruCache<K, V> implements Cache<K, V> {
    public static final int MAX_ENTRIES = 128;

    private final Map<K, V> entries = new HashMap<>();
    private Backend<K, V> backend;

    public LruCache(Backend<K, V> backend) {
        this.backend = requireNonNull(backend);
    }

    @Override
    public V get(K key) {
        V value = entries.get(key);
        if (value == null) {
            try {
                value = backend.load(key);
            } catch (IllegalStateException e) {
                return null;
            } finally {
                entries.put(key, value);
            }
        } else if (entries.size() > MAX_ENTRIES) {
            for (K k : entries.keySet()) {
                entries.remove(k);
            }
        }
        Function<V, String> describe = v -> {
            return String.valueOf(v);
        };
        return value;
    }

    enum Policy {
        LRU, LFU;

        boolean evictsOldest() {
            return this == LRU;
        }
    }
}

interface Cache<K, V> {
    V get(K key);

    default boolean contains(K key) {
        return get(key) != null;
    }
}

record Entry<K, V>(K key, V value) {}
