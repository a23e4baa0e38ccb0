export { coalesce, loadChart, readValuesYaml, renderChart, splitManifests } from './chart';
export type { Chart, Release } from './chart';
export { TemplateSet } from './execute';
export { goJson, goQuote, goYaml } from './go-format';
export { TemplateError } from './parse';
