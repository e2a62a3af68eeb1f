/** The Marzneshin simulator's rows (`app/db/models.py User`, `Service`). */

export interface MarzneshinSimService {
  id: number;
  name: string;
  inbound_ids: number[];
}

export interface MarzneshinSimUser {
  id: number;
  username: string;
  expireStrategy: 'never' | 'fixed_date' | 'start_on_first_use';
  expireDate: number | null;
  usageDuration: number | null;
  activationDeadline: number | null;
  key: string;
  dataLimit: number | null;
  resetStrategy: string;
  note: string | null;
  onlineAt: number | null;
  enabled: boolean;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: number;
  editAt: number | null;
  serviceIds: number[];
  removed: boolean;
}

export const MARZNESHIN_DEFAULT_SERVICES: readonly MarzneshinSimService[] = [
  { id: 1, name: 'Standard', inbound_ids: [1, 2] },
  { id: 3, name: 'Premium-EU', inbound_ids: [1, 2, 5] },
];

