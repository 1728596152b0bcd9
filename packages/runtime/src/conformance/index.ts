export {
  listNodeTests, runNodeTest, compareTensors, summarizeNodeTests, DEBIAN_NODE_TEST_DIR,
  type NodeTestResult, type NodeTestTolerance, type NodeTestSummary,
} from './node-tests.js';
