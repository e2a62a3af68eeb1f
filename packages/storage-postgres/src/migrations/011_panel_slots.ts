/**
 * A panel's call slots, held across replicas (`panelSlots`): a row per slot in use or used before,
 * leased to the call that holds it until `until`, measured on this server's clock.
 */
export const panelSlots = `
CREATE TABLE {{schema}}.panel_slots (
  panel_id text NOT NULL,
  slot     integer NOT NULL,
  holder   text,
  until    timestamptz,
  PRIMARY KEY (panel_id, slot)
);
`;
