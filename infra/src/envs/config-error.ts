/** A configuration that cannot work. The message names the setting and the reason. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
