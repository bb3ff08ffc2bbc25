import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { MobprocProvider } from "mobproc-auth/react";
import { App } from "./App.jsx";
import { config } from "./config.js";
import "./style.css";

// StrictMode on purpose: in development React mounts, unmounts and remounts every component,
// running effects twice. MobprocProvider still creates one client and handles the redirect
// callback once per page load.
createRoot(document.getElementById("root")).render(
  <StrictMode>
    <MobprocProvider config={config}>
      <App />
    </MobprocProvider>
  </StrictMode>,
);
