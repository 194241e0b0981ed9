"""Search: query understanding, the key index and `zhibu search` over the records."""
