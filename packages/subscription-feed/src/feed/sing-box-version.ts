/** A sing-box version, major and minor. */
export interface SingBoxVersion {
  readonly major: number;
  readonly minor: number;
}

/** Whether `version` is `major.minor` or newer. */
export const atLeast = (version: SingBoxVersion, major: number, minor: number): boolean =>
  version.major > major || (version.major === major && version.minor >= minor);
