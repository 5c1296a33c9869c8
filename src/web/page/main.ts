// The page's entry point: global styles, the app, and the state's first look at the engine.
import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { app } from './lib/store.svelte.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
void app.init();
