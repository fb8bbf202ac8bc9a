"""The msglab simulator: the engine (pure Python), built-in scenarios and the web pages."""
