// The e2e harness: real VS Code (code-server) in Debian's chromium, driven by playwright-core.
export { startSession, type Session, type SessionOptions } from './session.js';
export { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer.js';
export { launchChromium, CHROMIUM_ARGS } from './browser.js';
export { Workbench, type MenuEntry, type StatusBarItem, type WorkbenchOptions } from './workbench.js';
export { ensureCodeServer } from './install.js';
export { packageVsix } from './vsix.js';
export { makeWorkspace, makeTempDir, removeTempDir } from './workspace.js';
export { TEST_USER_SETTINGS, userSettings } from './settings.js';
export { HarnessError } from './errors.js';
export { ARTIFACTS_DIR, REPO_ROOT } from './paths.js';
export { artifactPath, screenshotPath } from './artifacts.js';
export { screenshotFailures } from './failureScreenshots.js';
export { findProcesses, extensionProcesses, isAlive, type ProcessInfo } from './processes.js';
