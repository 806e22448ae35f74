"""Protection: who the client is (behind trusted proxies only), rate limits per address, API key and user,
failed sign-ins throttled, request bodies limited, and malformed requests refused with a problem."""
