// Campaigns: a file of many tests, expanded, validated, run one after another.
export { type Campaign, type CampaignInput, CampaignSchema, campaignJsonSchema, TestOptionsSchema } from './schema.js';
export { formatPath, loadCampaign, parseCampaign } from './load.js';
export { type ExpandOptions, type PlannedTest, expandCampaign, testSeed } from './expand.js';
export { type Execute, type RunCampaignOptions, runCampaign } from './run.js';
export { CAMPAIGNS_DIR, type CampaignDir, createCampaignDir, writeCampaignFiles, writeRunReport } from './outputs.js';
export { outcomeText, renderCampaignIndex } from './index-page.js';
