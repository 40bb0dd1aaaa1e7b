package cache

import (
	"errors"
	"fmt"
	str "strings"

	"example.com/project/internal/store"
)

import _ "embed"

const MaxEntries = 128

var ErrMissing = errors.New("missing entry")

type Key string

type Entry struct {
	Key   Key
	Value []byte
}

type Getter interface {
	Get(key Key) (*Entry, error)
}

type Cache struct {
	entries map[Key]*Entry
	backend store.Backend
}

func New(backend store.Backend) *Cache {
	return &Cache{entries: make(map[Key]*Entry), backend: backend}
}

func (c *Cache) Get(key Key) (*Entry, error) {
	if entry, ok := c.entries[key]; ok {
		return entry, nil
	} else if len(c.entries) > MaxEntries {
		for k := range c.entries {
			delete(c.entries, k)
		}
	}
	switch value, err := c.backend.Load(string(key)); {
	case err != nil:
		return nil, fmt.Errorf("load %s: %w", str.ToUpper(string(key)), err)
	default:
		entry := &Entry{Key: key, Value: value}
		c.entries[key] = entry
		return entry, nil
	}
}

var logMiss = func(key Key) {
	fmt.Println("miss", key)
}
