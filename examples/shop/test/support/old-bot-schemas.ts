/**
 * The tables of a Mirza and a wizwiz bot that an import reads, written from the column definitions in
 * their installers (types and collations as they declare them; columns the import does not read are
 * kept where they are NOT NULL, so rows must be written as the bots write them).
 */

/** Mirza (`mahdiMGF2/botmirzapanel`, `mahdiMGF2/mirzabot`): buyers, products, panels and invoices. */
export const MIRZA_TABLES = `
CREATE TABLE user (
  id varchar(500) PRIMARY KEY,
  ref_code char(32) NOT NULL UNIQUE,
  limit_usertest int(100) NOT NULL,
  roll_Status bool NOT NULL,
  step varchar(1000) NOT NULL,
  number varchar(2000) NOT NULL,
  Balance int(255) NOT NULL,
  User_Status varchar(500) NOT NULL,
  username varchar(1000) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE product (
  id int(6) UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  code_product varchar(200) NULL,
  name_product varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  price_product varchar(2000) NULL,
  Volume_constraint varchar(2000) NULL,
  Location varchar(1000) NULL,
  Service_time varchar(200) NULL,
  Category varchar(600) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE marzban_panel (
  id int(6) UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  name_panel varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  url_panel varchar(2000) NULL,
  username_panel varchar(200) NULL,
  password_panel varchar(200) NULL,
  type varchar(200) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin;
CREATE TABLE invoice (
  id_invoice varchar(200) PRIMARY KEY,
  id_user varchar(200) NULL,
  username varchar(200) NULL,
  Service_location varchar(200) NULL,
  time_sell varchar(200) NULL,
  name_product varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  price_product varchar(200) NULL,
  Volume varchar(200) NULL,
  Service_time varchar(200) NULL,
  user_info text NULL,
  Status varchar(200) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin;
`;

/** wizwiz (`wizwizdev/wizwizxui-timebot`): users, plans, 3x-ui servers and orders. */
export const WIZWIZ_TABLES = `
CREATE TABLE users (
  id int(11) NOT NULL AUTO_INCREMENT,
  userid varchar(40) NOT NULL,
  name varchar(100) NOT NULL,
  username varchar(100) NOT NULL,
  refcode varchar(50) NOT NULL,
  wallet int(11) NOT NULL DEFAULT 0,
  date varchar(50) NOT NULL,
  step varchar(1000) NOT NULL DEFAULT 'none',
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_persian_ci;
CREATE TABLE server_plans (
  id int(11) NOT NULL AUTO_INCREMENT,
  fileid varchar(250) NOT NULL,
  catid int(11) NOT NULL,
  server_id int(11) NOT NULL,
  inbound_id int(11) NOT NULL DEFAULT 0,
  acount bigint(20) NOT NULL,
  limitip int(11) NOT NULL DEFAULT 1,
  title varchar(150) NOT NULL,
  protocol varchar(100) NOT NULL,
  days float NOT NULL,
  volume float NOT NULL,
  type varchar(50) NOT NULL,
  price int(11) NOT NULL,
  active int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_persian_ci;
CREATE TABLE server_config (
  id int(11) NOT NULL AUTO_INCREMENT,
  panel_url varchar(254) NOT NULL,
  ip text NOT NULL,
  sni varchar(254) NOT NULL,
  type varchar(100) DEFAULT NULL,
  username varchar(100) NOT NULL,
  password varchar(100) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
CREATE TABLE orders_list (
  id int(11) NOT NULL AUTO_INCREMENT,
  userid varchar(30) NOT NULL,
  token varchar(1000) NOT NULL,
  transid varchar(150) NOT NULL,
  fileid int(11) NOT NULL,
  server_id int(11) NOT NULL,
  inbound_id int(11) NOT NULL DEFAULT 0,
  remark varchar(100) NOT NULL,
  uuid text NOT NULL,
  protocol varchar(20) NOT NULL,
  expire_date int(11) NOT NULL,
  link text NOT NULL,
  amount int(11) NOT NULL,
  status int(11) NOT NULL,
  date varchar(50) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_persian_ci;
`;

/** A SQL string literal (the fixtures' values are the test's own, but quoted properly all the same). */
export function lit(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** `INSERT INTO table (cols) VALUES (...), (...)` for rows of one shape. */
export function insert(table: string, rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0] as object);
  const values = rows.map((row) => `(${columns.map((c) => lit(row[c] as string | number)).join(', ')})`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')};`;
}
