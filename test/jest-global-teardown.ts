import { teardown } from './jest-tmpdir';
export default teardown;
