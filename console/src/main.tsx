import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, StartupError } from './App';
import { loadConfig } from './config';
import { SessionContext } from './hooks';
import { SessionManager } from './session';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

try {
  const config = await loadConfig();
  const session = new SessionManager(config.apiUrl);
  root.render(
    <StrictMode>
      <SessionContext.Provider value={session}>
        <App />
      </SessionContext.Provider>
    </StrictMode>,
  );
  await session.restore();
} catch (error) {
  root.render(<StartupError error={error as Error} />);
}
