using System;
using System.Collections.Generic;

namespace Books
{
    public class Entry
    {
        public string Account { get; set; }
        public decimal Amount { get; set; }
    }

    public class Ledger
    {
        private readonly List<Entry> entries = new List<Entry>();

        public void Post(string account, decimal amount)
        {
            var entry = new Entry
            {
                Account = account,
                Amount = amount
            };
            entries.Add(entry);
        }

        public string Title() => "Grand livre — 💶 " + entries.Count;

        public decimal Balance()
        {
            decimal sum = 0;
            foreach (var e in entries)
            {
                sum += e.Amount;
            }
            return sum;
        }

        public decimal Mean()
        {
            return Balance() / entries.Count;
        }
    }
}
