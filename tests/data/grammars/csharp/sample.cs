using System;
using System.Collections.Generic;
using static System.Math;
using Json = System.Text.Json.JsonSerializer;

namespace App.Caching
{
    public delegate void Evicted(string key);

    public interface ICache
    {
        string Get(string key);
    }

    public sealed class LruCache : ICache, IDisposable
    {
        public const int MaxEntries = 100;

        private readonly Dictionary<string, string> _entries = new();
        private readonly IBackend _backend;

        public event Evicted OnEvicted;

        public int Count => _entries.Count;

        public LruCache(IBackend backend)
        {
            _backend = backend;
        }

        public string Get(string key)
        {
            if (_entries.TryGetValue(key, out var value))
            {
                _entries.Remove(key);
            }
            else
            {
                value = _backend.Load(key);
            }
            _entries[key] = value;
            while (_entries.Count > MaxEntries)
            {
                Evict();
            }
            return value;
        }

        private void Evict()
        {
            foreach (var k in _entries.Keys)
            {
                _entries.Remove(k);
                OnEvicted?.Invoke(k);
                break;
            }
        }

        public void Dispose()
        {
            try
            {
                Console.WriteLine(Json.Serialize(_entries));
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine(e.Message);
            }
        }
    }

    public record Entry(string Key, string Value);
}
