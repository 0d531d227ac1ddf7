// npm run backup -- <folder>: a consistent copy of DATA_DIR, safe while the server runs.
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { backupDataDir } from '../src/store/backup.ts';

const destination = process.argv[2];
if (!destination) {
  console.error('Usage: npm run backup -- <empty folder for the backup>');
  process.exit(2);
}
const { dataDir } = loadConfig();
backupDataDir(dataDir, path.resolve(destination)).then(
  (result) => {
    console.log(`Backed up ${dataDir} to ${path.resolve(destination)}: ${result.files} files.`);
    console.log(`It holds ${result.records.users} users, ${result.records.classes} classes, ${result.records.attempts} quiz attempts.`);
  },
  (error: Error) => {
    console.error(`Backup failed: ${error.message}`);
    process.exit(1);
  },
);
