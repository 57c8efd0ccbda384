import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { session } from './app/session';
import { setLocale } from './i18n';
import './styles/app.css';

setLocale(navigator.language || 'en');
void session.restore();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
