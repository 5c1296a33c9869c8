// Types the page's sources need: Svelte's runes and *.svelte modules, Vite's CSS imports.
/// <reference types="svelte" />
/// <reference types="vite/client" />
