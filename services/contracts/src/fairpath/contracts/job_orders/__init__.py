"""Job orders (demand letters) and the service agreements under which agencies recruit for them."""
