"""The local web face: `zhibu serve`."""
