export { type BadgeValue, badgeValue } from "./badge-value.js";
export {
  createEmbedHandler,
  type EmbedHandler,
  type EmbedHandlerOptions,
} from "./create-embed-handler.js";
export { embedMarkdown } from "./embed-markdown.js";
export { findPublicRepository } from "./find-public-repository.js";
export { renderBadge } from "./render-badge.js";
export { renderHistorySvg, sourceLine } from "./render-history-svg.js";
