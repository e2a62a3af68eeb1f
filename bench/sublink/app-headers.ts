/** What the apps of `bench/sublink` send, by kind: shared by the apps' process and the bench's statement trace. */

/**
 * What is asked, with which headers: the shop's link with device checks (`on`) and without (`off`), its floor, and
 * the project's Marzban simulator's `/sub/<token>` (`marzban`, asked as `off` is: v2rayNG, no id).
 */
export type StepKind = 'floor' | 'off' | 'on' | 'marzban';

/**
 * The headers each kind sends, as the apps send them. `on`: Happ on an iPhone (device a) or v2RayTun on Android
 * (device b), each with its hardware id (`X-HWID`) and what it says of the device. `off` and the floor: v2rayNG,
 * which sends no id (served uncounted under the plan's default policy: no device check runs).
 */
export function headersFor(kind: StepKind, buyer: number, device: 'a' | 'b'): Record<string, string> {
  if (kind !== 'on') return { 'user-agent': 'v2rayNG/1.10.2', 'accept-encoding': 'identity' };
  return device === 'a'
    ? {
        'user-agent': 'Happ/4.6.0/ios/2603181556604',
        'x-hwid': `bench-${buyer}-a`,
        'x-device-os': 'iOS',
        'x-ver-os': '26.1',
        'x-device-model': 'iPhone 16 Pro',
      }
    : {
        'user-agent': 'v2raytun/android',
        'x-hwid': `bench-${buyer}-b`,
        'x-device-os': 'Android',
        'x-ver-os': '15',
        'x-device-model': 'Pixel 9',
        'accept-encoding': 'identity',
      };
}
